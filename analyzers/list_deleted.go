package analyzers

// deletedAnalyzers read only the views of deleted records (hive.Entry.Deleted).
var deletedAnalyzers = []*Analyzer{
	DeletedOrphans,
}
