package orders

import "fmt"

type LegacyOrder struct {
	ID     int64
	Status string
}

func (LegacyOrder) TableName() string {
	return "orders_legacy"
}

func Save(db *DB, o LegacyOrder) error {
	return db.Create(&LegacyOrder{ID: o.ID, Status: o.Status}).Error
}

func Open(db *DB) []LegacyOrder {
	var out []LegacyOrder
	db.Model(&LegacyOrder{}).Where("status = ?", "open").Find(&out)
	return out
}

// db.Exec("DELETE FROM orders_legacy") was the old purge; gone since 2021

func archiveTable(year int) string {
	return fmt.Sprintf("%s_%s", "orders", "legacy")
}
