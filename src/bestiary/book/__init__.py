"""The book stage: takes a book folder (`book.yaml`, chapters, records, the book's own layouts) and gives
the validated, frozen `Book`, or every problem found in it as a located `Diagnostic`.
"""
