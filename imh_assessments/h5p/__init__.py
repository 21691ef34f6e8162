"""H5P package handling: validation of uploaded ``.h5p`` files and their layout in storage."""
