"""The EPUB stage: takes the EPUB's view (with the print edition's pages) and the print cover, and gives the
EPUB 3 package, reproducible byte for byte.
"""
