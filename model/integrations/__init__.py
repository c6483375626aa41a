"""cleaner inside other engines: a datatrove pipeline step (:mod:`.datatrove`) and a stage over
batches of records (:mod:`.batches`: Ray Data's ``map_batches``, Spark's ``mapInPandas``, NeMo
Curator), both built on :func:`cleaner.clean_batch`. No engine is imported by them but datatrove,
by its own module, when that module is imported (``pip install 'cleaner[datatrove]'``)."""
