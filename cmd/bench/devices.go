package main

import (
	"net/url"
	"strconv"
)

// benchCity is a city of the simulator's demo portfolio (one property in twelve), for the filtered device list row.
const benchCity = "Chicago"

// pageRow is one page of the portfolio table: its name in the report and the URL of its i-th request.
type pageRow struct {
	name string
	url  func(i int64) string
}

// deviceListRows are the device list's rows of the portfolio table, for a mirror of devices devices: every page
// in turn (25 a page, as the property list), and "low-battery locks in Chicago", the one-click filter.
func deviceListRows(devices int) []pageRow {
	last := int64(max(1, (devices+24)/25))
	filtered := "/devices?" + url.Values{"type": {"lock"}, "city": {benchCity}, "battery_below": {"20"}}.Encode()
	return []pageRow{
		{"GET /devices?page=N (device list, every page in turn)", func(i int64) string {
			return "/devices?page=" + strconv.FormatInt(1+i%last, 10)
		}},
		{"GET " + filtered + " (device list, low-battery locks in " + benchCity + ")", func(int64) string {
			return filtered
		}},
	}
}
