"""The git side of deploys: a bare repo per app, the smart-HTTP backend, and the pre-receive hook.

repos.py owns the repos on disk, cgi.py and http_backend.py serve them through `git http-backend`,
and hook.py (with refs.py, archive.py and builds_client.py) turns a push into a build.
"""
