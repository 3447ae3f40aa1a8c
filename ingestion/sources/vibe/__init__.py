"""Vibe: the asynchronous reporting API under a 15 requests/hour budget (SPEC 3.2).

``client`` speaks the HTTP protocol, ``budget`` shares each API key's hourly allowance between all
processes through PostgreSQL, ``flow`` moves persisted report requests through their states and
``tasks`` holds what django-q2 runs. Nothing here is imported by the models, so importing this
package never pulls in the network code.
"""
