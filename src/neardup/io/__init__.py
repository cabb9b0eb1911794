"""Documents in: the :class:`~neardup.io.documents.Document` record and the inputs
``find_duplicates`` accepts (:mod:`~neardup.io.documents`), where a document lies in its file
(:mod:`~neardup.io.records`), and the :class:`~neardup.io.corpus.Corpus` of files that is
streamed once and re-read by position (:mod:`~neardup.io.corpus`)."""
