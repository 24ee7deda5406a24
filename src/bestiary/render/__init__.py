"""The render stage: takes a view and a layout's name and gives the rendered text, from the one sandboxed
Jinja environment, or one located error; nothing rendered loads anything from outside the book.
"""
