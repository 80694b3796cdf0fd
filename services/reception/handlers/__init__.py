"""Reception's use cases: commands and event handlers `f(uow, …)` over the kit's unit of work, and the queries
the pages read `f(session, …)`, one module per feature. Lower modules never import higher ones:
prices, directory → incidents → pre_inspection → arrivals; visits → drafts → walk_around → write_up → orders;
amendments → versions; notices."""
