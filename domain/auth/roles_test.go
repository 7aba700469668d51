package auth

import (
	"testing"

	"github.com/keyless/dashboard/db"
)

// TestCan: the table's edges. The upstream reserves the master-code reset for installers, so not even admins have
// it, and a role the table does not know has nothing.
func TestCan(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		role db.Role
		c    Capability
		want bool
	}{
		{db.RoleAdmin, ManageUsers, true},
		{db.RoleAdmin, ResetMasterCode, false},
		{db.RoleInstaller, ResetMasterCode, true},
		{db.RoleStaff, ManageUsers, false},
		{db.RoleStaff, ManageAccess, true},
		{db.RoleAuditor, ViewAudit, true},
		{db.RoleAuditor, Operate, false},
		{db.Role("owner"), ViewPortfolio, false},
		{"", ViewPortfolio, false},
	} {
		if got := Can(tt.role, tt.c); got != tt.want {
			t.Errorf("Can(%q, %q) = %v, want %v", tt.role, tt.c, got, tt.want)
		}
	}
}
