"""digest: a static-site generator for multi-source news digests.

The pipeline, one module per stage: load -> clean -> cluster -> summarize ->
compare -> render -> write, run by :func:`generator.build.build`.
"""

__version__ = "0.1.0"
