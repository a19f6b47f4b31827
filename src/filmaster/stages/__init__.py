"""Pipeline stages, one module each: develop → breakdown → shoot → rough cut → sound → mix → deliver."""
