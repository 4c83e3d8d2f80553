"""HTTP glue the dialects share: auth, JSON, routing with error rendering, sockets, pages."""
