"""Workshop's pages and JSON views, one module per feature, each a mixin of `@api` entrypoints with its input
schemas; a page and its JSON view call the same use case. service.Service gathers them."""
