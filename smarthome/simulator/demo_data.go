package simulator

// Tables the demo portfolio is drawn from. Cities cover the six US zones a dashboard must render correctly (Phoenix
// has no DST, Honolulu is far from everyone).

type city struct {
	Name, State, Zone, ZipPrefix string
	Lat, Lon                     float64
}

var demoCities = []city{
	{"New York", "NY", "America/New_York", "100", 40.7128, -74.0060},
	{"Chicago", "IL", "America/Chicago", "606", 41.8781, -87.6298},
	{"Denver", "CO", "America/Denver", "802", 39.7392, -104.9903},
	{"Los Angeles", "CA", "America/Los_Angeles", "900", 34.0522, -118.2437},
	{"Phoenix", "AZ", "America/Phoenix", "850", 33.4484, -112.0740},
	{"Honolulu", "HI", "Pacific/Honolulu", "968", 21.3069, -157.8583},
	{"Atlanta", "GA", "America/New_York", "303", 33.7490, -84.3880},
	{"Austin", "TX", "America/Chicago", "787", 30.2672, -97.7431},
	{"Salt Lake City", "UT", "America/Denver", "841", 40.7608, -111.8910},
	{"Seattle", "WA", "America/Los_Angeles", "981", 47.6062, -122.3321},
	{"Charlotte", "NC", "America/New_York", "282", 35.2271, -80.8431},
	{"Dallas", "TX", "America/Chicago", "752", 32.7767, -96.7970},
}

var demoStreets = []string{"Maple", "Oak", "Cedar", "Pine", "Elm", "Willow", "Birch", "Aspen", "Juniper", "Magnolia",
	"Sycamore", "Hickory", "Chestnut", "Laurel", "Spruce", "Cypress", "Poplar", "Walnut", "Redwood", "Dogwood", "Sunset",
	"Lakeview", "Ridgecrest", "Meadowbrook", "Harbor", "Canyon", "Prairie", "Highland", "Brookside", "Stonegate"}

var demoSuffixes = []string{"Court", "Street", "Avenue", "Lane", "Drive", "Road", "Way", "Place", "Terrace", "Circle"}

// deviceModel is a real product of each type, so pages look like a real portfolio.
type deviceModel struct {
	Manufacturer, Product, Model string
	MaxSlots                     int // locks only
}

var deviceModels = map[string][]deviceModel{
	"lock": {{"Yale", "Assure Lock SL", "YRD256", 250}, {"Schlage", "Connect Deadbolt", "BE469ZP", 30},
		{"Kwikset", "SmartCode 916", "916", 30}},
	"access_panel":     {{"Rently", "Access Panel", "RAP-1", 250}},
	"thermostat":       {{"Honeywell", "T6 Pro Z-Wave", "TH6320ZW", 0}},
	"switch":           {{"GE/Jasco", "Enbrighten Z-Wave Plus On/Off", "46201", 0}},
	"dimmable_switch":  {{"GE/Jasco", "Enbrighten Z-Wave Plus Dimmer", "46203", 0}},
	"leakage_sensor":   {{"Zooz", "Water Leak Sensor", "ZSE42", 0}},
	"contact_sensor":   {{"Ecolink", "Door/Window Sensor", "DWZWAVE25", 0}},
	"motion_sensor":    {{"Ecolink", "PIR Motion Sensor", "PIRZWAVE25", 0}},
	"door_bell":        {{"Aeotec", "Doorbell 6", "ZW162", 0}},
	"smoke_alarm":      {{"First Alert", "Z-Wave Smoke Alarm", "ZSMOKE", 0}},
	"garage_door":      {{"Nortek", "Garage Door Controller", "GD00Z-8", 0}},
	"lightbulb":        {{"Sylvania", "Z-Wave Bulb", "LIGHTIFY", 0}},
	"repeater":         {{"Aeotec", "Range Extender 7", "ZW189", 0}},
	"valve_controller": {{"Dome", "Water Main Shut-Off", "DMWV1", 0}},
	"siren":            {{"Aeotec", "Siren 6", "ZW164", 0}},
}

// Device names by type; a property takes the first n of a list.
var (
	lockNames     = []string{"Front Door", "Back Door"}
	switchNames   = []string{"Porch Light", "Garage Light"}
	dimmerNames   = []string{"Living Room Dimmer"}
	leakNames     = []string{"Water Heater Leak Sensor", "Kitchen Sink Leak Sensor"}
	contactNames  = []string{"Front Door Contact", "Back Door Contact"}
	motionNames   = []string{"Hallway Motion"}
	doorbellNames = []string{"Front Doorbell"}
	extraNames    = map[string]string{"smoke_alarm": "Hallway Smoke Alarm", "lightbulb": "Bedroom Light Bulb",
		"garage_door": "Garage Door", "valve_controller": "Water Main Valve", "repeater": "Z-Wave Repeater",
		"siren": "Siren", "access_panel": "Entrance Access Panel"}
)
