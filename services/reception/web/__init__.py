"""Reception's pages and JSON views, one module per feature; each a mixin of nameko entrypoints (`@api`) with
its input schemas, gathered by service.Service. A page and its JSON view call the same use case."""
