"""The embedded engine: Whoosh segments on local disk, scored with numpy.

WhooshEngine is in search/engine/whoosh/engine.py (not imported here, so that modules
of this package can be imported on their own without the whole engine).
"""
