package views

// NavActivity marks the activity log and the webhook inbox in the navigation.
const (
	NavActivity = "activity"
	NavInbox    = "inbox"
)

// ActivityEvent is the SSE event name that carries new activity rows (ActivityRow) to every live page.
const ActivityEvent = "activity"

// AlertSmoke is a smoke alarm's alert kind (the other kinds are in models_portfolio.go).
const AlertSmoke = "smoke"

// AlertEvent is the SSE event name of the live alert banners (AlertBanner).
const AlertEvent = "alert"

// ActivityRowData is one row of the activity log, formatted in its property's zone. The same row is rendered on
// page load, in a detail page's live feed and in the SSE push.
type ActivityRowData struct {
	ID            string
	When, WhenISO string // local time with the zone's abbreviation; RFC 3339 UTC
	PropertyID    string
	PropertyName  string
	HubID         string
	HubName       string // home name as the delivery gave it
	DeviceID      string
	DeviceName    string
	DeviceType    string // device_type as sent, or inferred
	TypeInferred  bool   // the delivery carried no device_type
	MessageType   string // verbatim
	Event         string // what happened in words ("Unlocked", "Hub heartbeat")
	Tone          string // "", "ok", "warn" or "danger": the event's badge colour
	Details       string
	DetailsNumber bool   // details arrived as a JSON number
	Who           string // the webhook's User: a code name, "Auto", "Keypad"...
	Person        string // who that is, when a lock code of the property carries the name; may be empty
	Unverified    bool   // accepted without a token or signature (no secret configured, or re-processed from the inbox)
	FromInbox     bool   // an admin logged it from the webhook inbox
	Held          bool   // from the inbox, and its change to the mirror was not applied
}

// DOMID is the row's element id.
func (a ActivityRowData) DOMID() string { return domID("activity", a.ID) }

// ActivityOption is one choice of an activity filter's select or datalist.
type ActivityOption struct {
	Value, Label string
}

// ActivityFilterData is the activity log's filter form, as the query string gave it.
type ActivityFilterData struct {
	Property    string
	Hub         string
	Device      string
	DeviceType  string
	MessageType string
	Who         string
	From, To    string // datetime-local values, read in Zone
	Q           string
	Zone        string // the zone From and To are read in: the scope's property, else UTC
}

// Live modes of the activity list's first page.
const (
	LivePrepend = "prepend" // new rows arrive by SSE and are inserted on top (no filter the stream cannot apply)
	LiveRefetch = "refetch" // an SSE prompt re-reads the first page (filters only the server can apply)
)

// ActivityListData is the activity log page and its results fragment.
type ActivityListData struct {
	Filter       ActivityFilterData
	Rows         []ActivityRowData
	Errors       []string // filter values that could not be used, in words
	Live         string   // "", LivePrepend or LiveRefetch; only the first page is live
	ResultsURL   string   // this view's first page, re-read when the stream reopens
	NextURL      string   // older rows; "" on the last page
	NewestURL    string   // back to the newest rows; "" on the first page
	ExportCSV    string
	ExportJSON   string
	Properties   []ActivityOption // property choices; empty when there are too many for a menu
	DeviceTypes  []ActivityOption
	MessageTypes []ActivityOption
	SearchNote   string // set when text search is a plain substring match (no FTS5 in this build)
	InboxFailed  int    // deliveries waiting in the webhook inbox; shown only with ShowInbox
	ShowInbox    bool   // the viewer manages the webhook inbox
}

// ActivityFeedData is a detail page's live activity section: the newest activities of one property, hub or device.
type ActivityFeedData struct {
	Scope      string // "property", "hub" or "device": names the element and its test id
	Rows       []ActivityRowData
	RefreshURL string // the section itself, re-read when the page's stream reopens
	MoreURL    string // the full log filtered to this scope
}

// DOMID is the feed section's element id.
func (f ActivityFeedData) DOMID() string { return "activity-feed-" + f.Scope }

// InboxRowData is one webhook inbox entry.
type InboxRowData struct {
	ID            string
	When, WhenISO string
	Status        string // "failed" or "processed"
	Reason        string // the stored reason code
	ReasonLabel   string
	Detail        string
	Verified      bool
	RemoteAddr    string
	WebhookID     string
	Body          string // a preview, shown as text
	BodySize      string // "1.2 KB"
	Truncated     bool
	Suppressed    int
	Attempts      int
	ActivityID    string // set once processed
	ProcessedBy   string
	CanReprocess  bool
	Held          bool   // processed into an unverified activity whose change waits for a confirmation
	AppliedBy     string // who confirmed its change ("verified delivery" when the genuine one arrived)
	Error         string // why the last re-process from this page failed
}

// DOMID is the row's element id, the target of its re-process form.
func (r InboxRowData) DOMID() string { return domID("inbox", r.ID) }

// InboxData is the webhook inbox page.
type InboxData struct {
	Status     string // filter: "", "failed" or "processed"
	Rows       []InboxRowData
	Failed     int // still failed, over the whole inbox
	Refused    int64
	NextURL    string
	NewestURL  string
	SecretNote string // set when no webhook secret is configured
}

// AlertBannerData is one live alert banner.
type AlertBannerData struct {
	ID            string // unique per banner, for its element id
	Kind          string // one of the Alert* kinds
	Subject       string // device or hub name
	URL           string
	PropertyName  string
	Detail        string
	When, WhenISO string
	Cleared       bool // the condition ended (a hub back online): shown as good news
}

// DOMID is the banner's element id.
func (a AlertBannerData) DOMID() string { return domID("alert-banner", a.ID) }

// activityBadge is the badge class of an activity's tone.
func activityBadge(tone string) string {
	switch tone {
	case "ok", "warn", "danger":
		return "badge badge-" + tone
	}
	return "badge badge-muted"
}

func inboxURL(status string) string {
	if status == "" {
		return "/inbox"
	}
	return "/inbox?status=" + status
}

func inboxReprocessURL(id string) string { return "/inbox/" + id + "/reprocess" }

// bannerClass colours a banner: good news green, leaks, smoke, jams and offline hubs red, the rest amber. The
// flash base class gives it the dismiss button's style.
func bannerClass(a AlertBannerData) string {
	switch {
	case a.Cleared:
		return "flash flash-ok"
	case a.Kind == AlertLowBattery || a.Kind == AlertTamper:
		return "flash notice-warn"
	}
	return "flash flash-error"
}

// bannerTitle names the alert; a cleared one says it is over.
func bannerTitle(a AlertBannerData) string {
	if a.Cleared {
		switch a.Kind {
		case AlertHubOffline:
			return "Hub back online:"
		case AlertLeak:
			return "Leak cleared:"
		case AlertSmoke:
			return "Smoke cleared:"
		}
		return "Resolved:"
	}
	switch a.Kind {
	case AlertSmoke:
		return "Smoke detected:"
	case AlertLeak:
		return "Water leak:"
	}
	return alertLabel(a.Kind) + ":"
}

// HubStatusDOMID is the id of a hub's status card (HubStatus) and the name of the SSE event that replaces it.
func HubStatusDOMID(hubID string) string { return domID("hub-status", hubID) }
