package smarthome

import (
	"encoding/json"
	"reflect"
	"strings"
)

// unmarshalLenient decodes b into the struct pointed to by dst. It first decodes strictly; if that fails on
// a valid JSON object (one field of an unexpected type, say a firmware sending "battery": "n/a"), it decodes
// field by field instead, leaving the fields that do not fit at their zero value. One odd field must not hide
// a whole hub or device from the dashboard.
func unmarshalLenient(b []byte, dst any) error {
	err := json.Unmarshal(b, dst)
	if err == nil {
		return nil
	}
	var fields map[string]json.RawMessage
	if json.Unmarshal(b, &fields) != nil {
		return err // not an object: nothing sensible to salvage
	}
	v := reflect.ValueOf(dst).Elem()
	v.SetZero()
	t := v.Type()
	for i := range t.NumField() {
		sf := t.Field(i)
		name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if !sf.IsExported() || name == "-" {
			continue
		}
		if name == "" {
			name = sf.Name
		}
		raw, ok := fields[name]
		if !ok {
			continue
		}
		// Decode into a fresh value and keep it only on success: a failed decode can leave a half-built value.
		fv := reflect.New(sf.Type)
		if json.Unmarshal(raw, fv.Interface()) == nil {
			v.Field(i).Set(fv.Elem())
		}
	}
	return nil
}

// UnmarshalJSON decodes leniently: a field of an unexpected type is left zero rather than failing the device.
func (d *Device) UnmarshalJSON(b []byte) error {
	type plain Device
	return unmarshalLenient(b, (*plain)(d))
}

// UnmarshalJSON decodes leniently: a field of an unexpected type is left zero rather than failing the list.
func (h *HubSummary) UnmarshalJSON(b []byte) error {
	type plain HubSummary
	return unmarshalLenient(b, (*plain)(h))
}

// UnmarshalJSON decodes leniently: a field of an unexpected type is left zero rather than failing the hub.
func (h *HubDetail) UnmarshalJSON(b []byte) error {
	type plain HubDetail
	return unmarshalLenient(b, (*plain)(h))
}
