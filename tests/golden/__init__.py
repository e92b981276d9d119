"""Golden outputs of the shipped scenarios and the snapshot that writes them (:mod:`.snapshot`)."""
