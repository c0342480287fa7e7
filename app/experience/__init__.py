"""Experience reports: a participant reports an unusual or adverse experience; their care
team reads it (the description only when the participant shares it)."""
