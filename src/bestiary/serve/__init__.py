"""The live preview: takes a book folder and gives a local web server that shows each specimen as it is
saved and rebuilds the PDF and the EPUB in the background.
"""
