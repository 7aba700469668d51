// Package domain holds no code: it is the folder of the dashboard's rules, one package per area, between the HTTP
// surface (handlers) and the two things it stands on (the store in db, the Smart Home API in smarthome).
//
//	cmd/web ─→ handlers ─→ domain/* ─→ db, smarthome
//	              └──────→ views (a leaf: templ and static only)
//
// Every import points down that picture, never up or sideways out of it: a domain package never imports handlers
// or views, so a rule can be read, tested and reused without HTTP, and what a domain package must tell the open
// pages goes through a small interface that handlers implements. imports_test.go enforces it.
package domain
