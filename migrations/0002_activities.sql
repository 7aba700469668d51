-- Reserved while this feature is being built; its author replaces this file with the real schema.
SELECT 1;
