package handlers

import (
	"cmp"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/keyless/dashboard/smarthome"
	"github.com/keyless/dashboard/views"
)

// Limits of the schedule editor.
const (
	maxScheduleBlocks = 24  // rows a schedule may have; the upstream allows 100, a week rarely needs more than a few
	maxScheduleName   = 100 // characters, as the upstream allows
	blockMinSetpoint  = 50  // °F, the upstream's thermostat range
	blockMaxSetpoint  = 90
	blockSetpointGap  = 3 // heating must be at least this many °F below cooling
)

// schedulable reports whether a device type runs schedules (CONTRACT.md, Schedules).
func schedulable(deviceType string) bool {
	return deviceType == "thermostat" || deviceType == "switch" || deviceType == "dimmable_switch"
}

// readScheduleRows reads the editor's name and block rows as entered. The row count comes from the form, bounded,
// so a forged count cannot make the server build a huge form.
func readScheduleRows(form url.Values) (name string, rows []views.ScheduleBlockFormData) {
	n, err := strconv.Atoi(form.Get("rows"))
	if err != nil || n < 1 {
		n = 1
	}
	n = min(n, maxScheduleBlocks+1) // one over the limit stays visible, so the limit error has a row to point at
	for i := range n {
		b := views.ScheduleBlockFormData{
			From: strings.TrimSpace(form.Get(fmt.Sprintf("from-%d", i))), To: strings.TrimSpace(form.Get(fmt.Sprintf("to-%d", i))),
			Mode: strings.TrimSpace(form.Get(fmt.Sprintf("mode-%d", i))), Heat: strings.TrimSpace(form.Get(fmt.Sprintf("heat-%d", i))),
			Cool: strings.TrimSpace(form.Get(fmt.Sprintf("cool-%d", i))), Power: strings.TrimSpace(form.Get(fmt.Sprintf("power-%d", i))),
		}
		for _, v := range form[fmt.Sprintf("days-%d", i)] {
			if d, err := strconv.Atoi(v); err == nil && d >= 0 && d <= 6 {
				b.Days[d] = true
			}
		}
		rows = append(rows, b)
	}
	return strings.TrimSpace(form.Get("name")), rows
}

// applyBlockRowOp adds an empty row ("add") or removes row i ("remove-i"); other ops change nothing.
func applyBlockRowOp(rows []views.ScheduleBlockFormData, op, deviceType string) []views.ScheduleBlockFormData {
	switch {
	case op == "add" && len(rows) < maxScheduleBlocks:
		return append(rows, emptyBlockRow(deviceType))
	case strings.HasPrefix(op, "remove-"):
		i, err := strconv.Atoi(strings.TrimPrefix(op, "remove-"))
		if err == nil && i >= 0 && i < len(rows) && len(rows) > 1 {
			return slices.Delete(rows, i, i+1)
		}
	}
	return rows
}

// emptyBlockRow is a new row: no days, and the first mode of the type preselected.
func emptyBlockRow(deviceType string) views.ScheduleBlockFormData {
	if deviceType == "thermostat" {
		return views.ScheduleBlockFormData{Mode: "heat"}
	}
	return views.ScheduleBlockFormData{Mode: "on"}
}

// blankBlockRow reports whether a row was left empty (the mode select always sends a value, so it does not count).
func blankBlockRow(b views.ScheduleBlockFormData) bool {
	return b.Days == [7]bool{} && b.From == "" && b.To == "" && b.Heat == "" && b.Cool == "" && b.Power == ""
}

// validateSchedule checks the name and every non-blank row, marking the rows with problems. It returns the blocks
// to send upstream and the problems, each naming its block, in the order a person would fix them.
func validateSchedule(name string, rows []views.ScheduleBlockFormData, deviceType string) ([]smarthome.ScheduleBlock, []string) {
	var problems []string
	if p := checkEditText("Name", name, maxScheduleName, true); p != "" {
		problems = append(problems, p)
	}
	if len(rows) > maxScheduleBlocks {
		problems = append(problems, fmt.Sprintf("A schedule has at most %d blocks; remove some.", maxScheduleBlocks))
	}
	var blocks []smarthome.ScheduleBlock
	var rowOf []int // rowOf[k] is the form row of blocks[k]
	for i := range rows {
		if blankBlockRow(rows[i]) {
			continue
		}
		b, p := validateBlock(rows[i], deviceType)
		if len(p) > 0 {
			rows[i].Invalid = true
			for _, msg := range p {
				problems = append(problems, fmt.Sprintf("Block %d: %s", i+1, msg))
			}
			continue
		}
		blocks, rowOf = append(blocks, b), append(rowOf, i)
	}
	if len(blocks) == 0 && len(problems) == 0 {
		problems = append(problems, "Add at least one block: its days, start and end times, and what the device should do.")
	}
	for _, o := range blockOverlaps(blocks) {
		rows[rowOf[o.a]].Invalid, rows[rowOf[o.b]].Invalid = true, true
		problems = append(problems, fmt.Sprintf("Blocks %d and %d overlap on %s; change their times or days.",
			rowOf[o.a]+1, rowOf[o.b]+1, views.ScheduleWeekdays[o.day]))
	}
	return blocks, problems
}

// validateBlock applies the upstream's rules for the device type to one row.
func validateBlock(r views.ScheduleBlockFormData, deviceType string) (smarthome.ScheduleBlock, []string) {
	var problems []string
	b := smarthome.ScheduleBlock{Mode: r.Mode}
	for d, on := range r.Days {
		if on {
			b.Days = append(b.Days, d)
		}
	}
	if len(b.Days) == 0 {
		problems = append(problems, "choose at least one day.")
	}
	from, errFrom := smarthome.ParseTimeOfDay(r.From)
	to, errTo := smarthome.ParseTimeOfDay(r.To)
	switch {
	case errFrom != nil || errTo != nil:
		problems = append(problems, "enter start and end times as HH:MM, from 00:00 to 23:59.")
	case from.Hour*60+from.Minute >= to.Hour*60+to.Minute:
		problems = append(problems, "the start time must be before the end time (a block cannot run past midnight; split it in two).")
	default:
		b.From, b.To = from.String(), to.String()
	}
	switch deviceType {
	case "thermostat":
		problems = append(problems, thermostatBlockValues(r, &b)...)
	case "switch":
		if r.Mode != "on" && r.Mode != "off" {
			problems = append(problems, "choose on or off.")
		}
	case "dimmable_switch":
		if r.Mode != "on" && r.Mode != "off" {
			problems = append(problems, "choose on or off.")
		}
		if r.Mode == "on" && r.Power != "" {
			v, err := strconv.Atoi(r.Power)
			if err != nil || v < 0 || v > 100 {
				problems = append(problems, "the level must be a whole number from 0 to 100.")
			} else {
				b.Power = &v
			}
		}
	default:
		problems = append(problems, "this device type does not run schedules.")
	}
	return b, problems
}

// thermostatBlockValues checks the mode and the setpoints it needs: heat needs a heating setpoint, cool a cooling one,
// auto both; off takes none (any entered are not sent).
func thermostatBlockValues(r views.ScheduleBlockFormData, b *smarthome.ScheduleBlock) []string {
	needHeat, needCool := false, false
	switch r.Mode {
	case "heat":
		needHeat = true
	case "cool":
		needCool = true
	case "auto":
		needHeat, needCool = true, true
	case "off":
		return nil
	default:
		return []string{"choose heat, cool, auto or off."}
	}
	var problems []string
	read := func(label, v string, need bool) *int {
		if v == "" {
			if need {
				problems = append(problems, fmt.Sprintf("%s mode needs a %s setpoint.", scheduleModeLabel(r.Mode), label))
			}
			return nil
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < blockMinSetpoint || n > blockMaxSetpoint {
			problems = append(problems, fmt.Sprintf("the %s setpoint must be a whole number from %d to %d °F.", label, blockMinSetpoint, blockMaxSetpoint))
			return nil
		}
		return &n
	}
	b.HeatingSetpoint = read("heating", r.Heat, needHeat)
	b.CoolingSetpoint = read("cooling", r.Cool, needCool)
	if h, c := b.HeatingSetpoint, b.CoolingSetpoint; h != nil && c != nil && *h > *c-blockSetpointGap {
		problems = append(problems, fmt.Sprintf("the heating setpoint must be at least %d °F below the cooling setpoint.", blockSetpointGap))
	}
	return problems
}

func scheduleModeLabel(m string) string {
	switch m {
	case "heat":
		return "Heat"
	case "cool":
		return "Cool"
	case "auto":
		return "Auto"
	}
	return m
}

// blockOverlap is two blocks (indexes into the block list) covering the same minute of one day.
type blockOverlap struct{ a, b, day int }

// blockOverlaps lists every overlapping pair, day by day, each pair reported once on its first shared day.
func blockOverlaps(blocks []smarthome.ScheduleBlock) []blockOverlap {
	var out []blockOverlap
	seen := map[[2]int]bool{}
	for day := range 7 {
		for i := range blocks {
			for j := i + 1; j < len(blocks); j++ {
				bi, bj := blocks[i], blocks[j]
				if seen[[2]int{i, j}] || !slices.Contains(bi.Days, day) || !slices.Contains(bj.Days, day) {
					continue
				}
				if cmp.Less(bi.From, bj.To) && cmp.Less(bj.From, bi.To) { // HH:MM strings order as times
					seen[[2]int{i, j}] = true
					out = append(out, blockOverlap{i, j, day})
				}
			}
		}
	}
	return out
}
