"""The store: takes rendered bytes and gives them a place, all or nothing in the output folder, and what
was laid out a place in the build cache; it names every output file and dates every output.
"""
