"""Finding copied recordings at any age: ``find`` (from the manifests) and ``link`` (a presigned
URL). The CLI runs them with the operator's credentials; the scheduled function never does."""
