"""Source adapters: pure functions from a file's bytes to canonical rows (no database, no network).

Each adapter returns a ``ParsedFile`` or raises ``SourceFileError`` with a message that says what
is wrong with the file and what to do. Everything after parsing is the shared pipeline.
"""
