"""The composition root: the ``assistant-bot`` command and the wiring of adapters, core and
storage. The one package that may import all three (``ARCHITECTURE.md``)."""
