"""The shared library's file name on this platform: shared by the loader and setup.py,
which reads this file directly because the package cannot be imported before it is built."""

import sys

if sys.platform == "win32":
    LIBRARY_NAME = "mcauth.dll"
elif sys.platform == "darwin":
    LIBRARY_NAME = "libmcauth.dylib"
else:
    LIBRARY_NAME = "libmcauth.so"
