package views

// NavBulk marks the bulk access pages in the navigation.
const NavBulk = "bulk"

// BulkIndexData is the bulk access page: pick properties (searched like the property list), or find a person's
// codes, plus the recent bulk actions.
type BulkIndexData struct {
	Query      string
	Properties []BulkPropertyChoice
	More       int // matching properties not listed (refine the search)
	Recent     []BulkActionLink
	MaxItems   int
	Parallel   int
}

// BulkPropertyChoice is one property checkbox.
type BulkPropertyChoice struct{ ID, Name, City string }

// BulkActionLink is one recent bulk action.
type BulkActionLink struct{ URL, What, When, WhenISO string }

// BulkCodeFormData is the bulk code form: the chosen properties' locks and the code's fields.
type BulkCodeFormData struct {
	Token       string
	PropertyIDs []string
	Properties  []BulkPropertyLocks
	Name        string
	Validity    string // ValidityNever or ValidityPeriod
	Starts      string
	Ends        string
	Errors      map[string]string
	Problem     string
	MaxItems    int
}

// BulkPropertyLocks is a property and its locks in the bulk code form.
type BulkPropertyLocks struct {
	Name  string
	Zone  string
	Locks []BulkLockChoice
}

// BulkLockChoice is one lock checkbox.
type BulkLockChoice struct {
	ID, Name, Info string
	Checked        bool
}

// BulkRevokeData is the confirm step of revoking a person's codes everywhere.
type BulkRevokeData struct {
	Token   string
	Person  string
	Codes   []BulkCodeRow
	Problem string
}

// BulkCodeRow is one code a revoke would remove.
type BulkCodeRow struct{ Name, Property, Locks string }

// BulkMoveOutData is the confirm step of a bulk move-out.
type BulkMoveOutData struct {
	Token       string
	Email       string // a resident, or "" with All
	All         bool
	PropertyIDs []string
	Properties  []string
	Problem     string
}

// BulkPageData is one bulk action's page.
type BulkPageData struct {
	Title     string
	Requested string
	ISO       string
	Progress  BulkProgressData
}

// BulkProgressData is the live part of a bulk action's page; PollURL is set while anything is pending.
type BulkProgressData struct {
	PollURL  string
	RetryURL string // set when failed items may be retried
	Summary  string // "Set on 38 of 40; 2 failed: hub offline"
	Kind     string // badge kind: ok, warn, danger
	Note     string
	Items    []BulkItemData
}

// BulkItemData is one item's row.
type BulkItemData struct {
	Label    string
	Property string
	Status   string // pending, ok, failed
	Text     string
	Reason   string
	Link     string
}
