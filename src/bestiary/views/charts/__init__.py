"""The field statistics: takes a `Book` and a frame (the printed page or a phone's screen) and gives its
charts as SVG in our fonts, each with its data table.
"""
