-- 0017: PLACEHOLDER on branch h-codes only, so that 0018 applies here (numbers must be contiguous). 0017 belongs to
-- another branch: the integrator deletes this file when merging.
SELECT 1;
