"""The jobs: each stage of the house run over the store, one logged run at a time.

* :mod:`.ingest` - :func:`~.ingest.ingest_paths`: files and folders into stored documents.
* :mod:`.extract` - :func:`~.extract.extract_documents`: stored documents into claims.
* :mod:`.scale` - the same extraction on a Dask cluster (``marsad process --workers``).
* :mod:`.resolve` - :func:`~.resolve.resolve_store`: claims into incidents, incrementally.
* :mod:`.watch` - folders watched: what appears is ingested, extracted and resolved.

The rooms they drive stay pure or store-only: the engine (:mod:`marsad.extract`), resolution
(:mod:`marsad.resolve`) and the format readers (:mod:`marsad.ingest`) know nothing of runs.
"""
