"""The builder adapter: stack images, buildpack and Dockerfile builds, runtime images.

It drives the Docker Engine only through paas_platform.runtime (the one package
that imports the Docker SDK). Nothing here runs app code on the host.
"""
