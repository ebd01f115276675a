"""Services: the use cases (create an app, change config, roll back, authenticate).

Each receives its collaborators (store, clock) through its constructor, so tests
can hand in fakes or the real thing. Services raise domain errors, never HTTP ones.
"""
