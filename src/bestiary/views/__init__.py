"""The views stage: takes a `Book` (and, for the EPUB, the print edition's `Pagination`) and gives one
frozen view per layout: the field guide, the EPUB's documents, a dossier, the cover wrap. No I/O, no Jinja.
"""
