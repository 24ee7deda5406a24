"""Text for print and screen: takes plain text, Markdown, lengths and URLs as authors write them, and gives
typeset text, safe HTML, slugs, measures in points, and what our fonts can show.
"""
