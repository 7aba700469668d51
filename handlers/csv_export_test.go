package handlers

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"go/parser"
	"go/token"
	"io/fs"
	"net/http"
	"net/url"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/keyless/dashboard/db"
)

// formulaPrefixes are the first characters that make a spreadsheet treat a cell as a formula (OWASP CSV injection).
var formulaPrefixes = []string{"=", "+", "-", "@", "\t", "\r"}

// formulaPayload is a classic DDE payload behind prefix p.
func formulaPayload(p string) string { return p + `cmd|' /C calc'!A0` }

// csvRecords parses a CSV export and indexes its rows by their first cell (the id).
func csvRecords(t *testing.T, body string) (header []string, byID map[string][]string) {
	t.Helper()
	recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil || len(recs) == 0 {
		t.Fatalf("CSV export: %d records, %v", len(recs), err)
	}
	byID = map[string][]string{}
	for _, r := range recs[1:] {
		byID[r[0]] = r
	}
	return recs[0], byID
}

// TestCSVCellsDefusedInEveryColumn fills every text field of each export's record with each dangerous prefix,
// writes it the way the export does and parses it back: every such cell must read as the payload behind one
// apostrophe, whatever column it is in.
func TestCSVCellsDefusedInEveryColumn(t *testing.T) {
	t.Parallel()
	exports := []struct {
		name   string
		header []string
		zero   any // the record type
		cells  func(rec any) []string
	}{
		{"activities", exportColumns, exportRecord{}, func(rec any) []string { return rec.(exportRecord).csv() }},
		{"audit", auditCSVHeader, auditExportRow{}, func(rec any) []string { return rec.(auditExportRow).csv() }},
	}
	for _, ex := range exports {
		for _, p := range formulaPrefixes {
			t.Run(ex.name+"/"+strconv.Quote(p), func(t *testing.T) {
				payload := formulaPayload(p)
				rec := reflect.New(reflect.TypeOf(ex.zero)).Elem()
				textCols := map[string]bool{}
				for i := range rec.NumField() {
					f := rec.Type().Field(i)
					if f.Type.Kind() == reflect.String {
						rec.Field(i).SetString(payload)
						textCols[strings.Split(f.Tag.Get("json"), ",")[0]] = true
					}
				}
				var buf bytes.Buffer
				cw := newCSVWriter(&buf)
				if err := cw.Write(ex.header); err != nil {
					t.Fatal(err)
				}
				if err := cw.Write(ex.cells(rec.Interface())); err != nil {
					t.Fatal(err)
				}
				if cw.Flush(); cw.Error() != nil {
					t.Fatal(cw.Error())
				}
				recs, err := csv.NewReader(&buf).ReadAll()
				if err != nil || len(recs) != 2 {
					t.Fatalf("parse back: %d records, %v", len(recs), err)
				}
				for j, col := range recs[0] {
					if textCols[col] && recs[1][j] != "'"+payload {
						t.Errorf("column %s: %q, want %q", col, recs[1][j], "'"+payload)
					}
				}
			})
		}
	}
}

// TestActivityCSVDefusesWebhookFields delivers, through the webhook intake, one delivery per dangerous prefix
// with that payload in every string field of the envelope, and checks every column fed by them in the CSV export;
// cells that start a formula in no spreadsheet stay byte-identical.
func TestActivityCSVDefusesWebhookFields(t *testing.T) {
	t.Parallel()
	e := newWebhookEnv(t)
	fed := []string{"hub_id", "home_name", "serial_no", "address", "pms_datapull_id", "device_id", "device_name",
		"device_type", "message_type", "event", "details", "who"}
	ids := map[string]string{} // prefix -> activity id
	for i, p := range formulaPrefixes {
		v := formulaPayload(p)
		body := map[string]any{"hub_id": v, "home_name": v, "serial_no": v, "address": v, "pms_datapull_id": v,
			"device_id": v, "device_name": v, "device_type": v, "message_type": v, "details": v, "User": v,
			"activity_time": time.Now().Add(time.Duration(i) * time.Second).UnixMilli()}
		ids[p] = deliverJSON(t, e, body)
	}
	plain := map[string]any{"hub_id": "hub a=b", "home_name": "Front door 'A'", "serial_no": "30011",
		"address": "5310 W Barry Ave, Chicago", "pms_datapull_id": "Rently02|221", "device_id": "dev-1",
		"device_name": "lock 8", "device_type": "lock", "message_type": "Lock", "details": -5, "User": "Jane -Doe",
		"activity_time": time.Now().UnixMilli()}
	plainID := deliverJSON(t, e, plain)

	res := e.get(t, e.signedInClient(t, db.RoleAuditor), "/activities/export?format=csv")
	wantStatus(t, res, http.StatusOK)
	header, rows := csvRecords(t, res.body)
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	for _, p := range formulaPrefixes {
		row := rows[ids[p]]
		if row == nil {
			t.Fatalf("prefix %q: activity %s not exported", p, ids[p])
		}
		for _, name := range fed {
			j, ok := col[name]
			if !ok {
				t.Errorf("no %s column", name)
				continue
			}
			if want := "'" + formulaPayload(p); row[j] != want {
				t.Errorf("prefix %q, column %s: %q, want %q", p, name, row[j], want)
			}
		}
	}
	want := map[string]string{"hub_id": "hub a=b", "home_name": "Front door 'A'", "serial_no": "30011",
		"address": "5310 W Barry Ave, Chicago", "pms_datapull_id": "Rently02|221", "device_id": "dev-1",
		"device_name": "lock 8", "message_type": "Lock", "event": "Locked", "details": "-5", "who": "Jane -Doe"}
	for name, w := range want {
		if j, ok := col[name]; ok && rows[plainID][j] != w {
			t.Errorf("plain delivery, column %s: %q, want %q unchanged", name, rows[plainID][j], w)
		}
	}
}

// deliverJSON posts a webhook body and returns the stored activity's id.
func deliverJSON(t *testing.T, e *whEnv, body map[string]any) string {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	rep := e.post(t, "", b, nil)
	var got webhookReply
	if rep.status != http.StatusOK || json.Unmarshal([]byte(rep.body), &got) != nil || got.ID == 0 {
		t.Fatalf("delivery: %d %s", rep.status, rep.body)
	}
	return strconv.FormatInt(got.ID, 10)
}

// TestAuditCSVDefusesActionFields writes audit entries through audited actions whose text staff or strangers
// choose — a failed sign-in (the email is the target; the browser's User-Agent is kept) and a drift remedy for a
// code id of the form — with each dangerous prefix, and checks those cells of the audit CSV export.
func TestAuditCSVDefusesActionFields(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	admin := env.signedInClient(t, db.RoleAdmin)
	pid := mirrorIDs(t, env).property
	for _, p := range formulaPrefixes {
		v := formulaPayload(p)
		ua := http.Header{"User-Agent": {v}}
		printable := p != "\t" && p != "\r" // HTTP strips a header's leading tab and forbids a CR; sign-in trims the email
		if !printable {
			ua = http.Header{"User-Agent": {"test"}}
		}
		res := env.postForm(t, admin, "/properties/"+pid+"/drift/resend", url.Values{"code": {v}}, ua)
		if res.status != http.StatusUnprocessableEntity {
			t.Fatalf("drift remedy for code %q: %d", v, res.status)
		}
		if printable {
			login := env.postForm(t, env.client(t), "/login", url.Values{"email": {v}, "password": {"wrong"}}, ua)
			wantStatus(t, login, http.StatusUnauthorized)
		}
	}
	res := env.get(t, env.signedInClient(t, db.RoleAuditor), "/audit/export?format=csv")
	wantStatus(t, res, http.StatusOK)
	header, rows := csvRecords(t, res.body)
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	found := map[string]int{}
	for _, row := range rows {
		action, target, agent := row[col["action"]], row[col["target_id"]], row[col["user_agent"]]
		for _, p := range formulaPrefixes {
			v := formulaPayload(p)
			if action == "login" && target == "'"+strings.ToLower(v) || action == "lock_code.drift.resend" && target == "'"+v {
				found[action+" "+p]++
				if p != "\t" && p != "\r" && agent != "'"+v {
					t.Errorf("%s, prefix %q: user_agent %q, want %q", action, p, agent, "'"+v)
				}
			}
		}
		for j, cell := range row {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("audit entry %s, column %s: a live formula %q", row[0], header[j], cell)
			}
		}
	}
	for _, p := range formulaPrefixes {
		want := map[string]int{"lock_code.drift.resend " + p: 1}
		if p != "\t" && p != "\r" {
			want["login "+p] = 1
		}
		for k, n := range want {
			if found[k] != n {
				t.Errorf("%q: %d defused entries in the export, want %d", k, found[k], n)
			}
		}
	}
}

// TestCSVWrittenInOnePlace: every CSV the project writes goes through newCSVWriter, so no export can skip the
// formula escaping. Only the file that defines it may import encoding/csv (tests may, to read exports back).
func TestCSVWrittenInOnePlace(t *testing.T) {
	t.Parallel()
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || d.Name() == "vendor" || strings.HasPrefix(d.Name(), ".") && path != "..") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, imp := range f.Imports {
			if imp.Path.Value == `"encoding/csv"` && filepath.ToSlash(path) != "../handlers/csv.go" {
				t.Errorf("%s imports encoding/csv: write CSV with newCSVWriter (handlers/csv.go)", path)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestCSVCell: the escaping rule itself, including the numbers it leaves alone and the look-alikes it does not.
func TestCSVCell(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"": "", "plain": "plain", "a=b": "a=b", " =1": " =1", "'=1": "'=1", "5": "5",
		"-5": "-5", "+1.5e3": "+1.5e3", "-.5": "-.5", "-5.": "-5.",
		"=1+1": "'=1+1", "-1+1": "'-1+1", "-Inf": "'-Inf", "+NaN": "'+NaN", "-0x1p3": "'-0x1p3", "-": "'-",
		"-5 ": "'-5 ", "-1e": "'-1e", "@SUM(A1)": "'@SUM(A1)", "\t=1": "'\t=1", "\r=1": "'\r=1", "\t5": "'\t5",
	} {
		if got := csvCell(in); got != want {
			t.Errorf("csvCell(%q) = %q, want %q", in, got, want)
		}
	}
}
