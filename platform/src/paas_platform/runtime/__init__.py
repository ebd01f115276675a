"""The runtime adapter: the only package that imports the Docker SDK."""
