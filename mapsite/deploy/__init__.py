"""Publishing ``output/`` to a static host, moving only what changed.

``settings`` reads the ``deploy`` section of ``mapsite.yml``; ``manifest`` describes the build
(path, size, hash, headers); ``plan`` compares it with what the target holds; one module per
target type carries the plan out; ``run`` ties the steps together for the command line.
"""
