"""The Schuldenlab: the cooperative's innovation portfolio."""
