module oracle

go 1.26.0

godebug default=go1.26

require (
	gopkg.in/evanphx/json-patch.v4 v4.13.0
	sigs.k8s.io/json v0.0.0-20250730193827-2d320260d730
)
