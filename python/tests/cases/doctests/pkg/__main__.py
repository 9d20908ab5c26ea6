"""
>>> never_collected
"""
