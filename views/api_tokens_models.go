package views

// NavAPITokens is the nav section of the API tokens page.
const NavAPITokens = "api-tokens"

// APITokensData is the API tokens page: every token, the create form, and a token just created (shown once,
// only in the answer to the POST that made it).
type APITokensData struct {
	Tokens   []APITokenRowData
	Roles    []string
	FormName string
	FormRole string
	Error    string
	Created  *APITokenCreatedData
}

// APITokenCreatedData is the secret of a token just created, with its name.
type APITokenCreatedData struct {
	Name, Role, Token string
}

// APITokenRowData is one token as listed. Times are formatted for the viewer; LastUsed is "" when never used.
type APITokenRowData struct {
	ID, Name, Role, CreatedBy string
	Created, CreatedISO       string
	LastUsed, LastUsedISO     string
	Revoked, RevokedISO       string
	Prefix                    string // "kd_<lookup>_…": enough to tell tokens apart, useless to an attacker
	RevokeURL                 string
}
