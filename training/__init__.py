"""Loading labelled data, training, and evaluation (``cleaner train``, ``cleaner evaluate``)."""
