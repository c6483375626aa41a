"""cleaner inside other engines: a datatrove pipeline step (:mod:`.datatrove`) and a Ray Data
stage (:mod:`.ray`), both built on :func:`cleaner.clean_batch`. Each engine is imported only by its
own module, and only when that module is imported (``pip install 'cleaner[datatrove]'`` or
``'cleaner[ray]'``)."""
