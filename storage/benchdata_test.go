package storage

// Test-only helpers of the search benchmark (bench_test.go): a deterministic
// generator of realistic clients, a bulk loader that writes them through the same
// row mapping as ClientStore.Create (COPY on PostgreSQL, multi-row INSERTs in one
// transaction on SQLite), and access to the query hook so the benchmark can log the
// SQL that search issues.

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"

	"github.com/clientele-go/clientele/adapters"
	"github.com/clientele-go/clientele/clients"
)

// BenchAddQueryHook adds a bun query hook; call it before the store is in use.
func (db *DB) BenchAddQueryHook(h bun.QueryHook) { db.bun.AddQueryHook(h) }

// BenchSQLDB returns the connection pool, for EXPLAIN and set-up statements.
func (db *DB) BenchSQLDB() *sql.DB { return db.bun.DB }

// BenchLoadClients bulk-loads n clients produced by next, in the order given, with
// the row mapping of Create (display name folding, lower-case email, JSON profile).
// It writes no audit entries or idempotency keys.
func (db *DB) BenchLoadClients(ctx context.Context, n int, next func() clients.Client) error {
	switch db.dialect {
	case Postgres:
		return db.benchCopyClients(ctx, n, next)
	default:
		return db.benchInsertClients(ctx, n, next)
	}
}

var benchClientColumns = []string{
	"id", "tenant_id", "reference", "type", "state", "kyc_status", "office_id",
	"staff_associate_id", "email", "phone", "display_name", "name_search", "profile",
	"version", "created_at", "updated_at",
}

func (db *DB) benchCopyClients(ctx context.Context, n int, next func() clients.Client) error {
	conn, err := db.bun.DB.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		pc := dc.(*stdlib.Conn).Conn()
		done := 0
		var rowErr error
		src := pgx.CopyFromFunc(func() ([]any, error) {
			if done == n {
				return nil, nil
			}
			done++
			r, err := toClientRow(next())
			if err != nil {
				rowErr = err
				return nil, err
			}
			return []any{r.ID, r.TenantID, r.Reference, r.Type, r.State, r.KYCStatus, r.OfficeID,
				r.StaffAssociateID, r.Email, r.Phone, r.DisplayName, r.NameSearch, r.Profile,
				r.Version, r.CreatedAt, r.UpdatedAt}, nil
		})
		copied, err := pc.CopyFrom(ctx, pgx.Identifier{"clients"}, benchClientColumns, src)
		if rowErr != nil {
			return rowErr
		}
		if err != nil {
			return fmt.Errorf("copy: %w", err)
		}
		if copied != int64(n) {
			return fmt.Errorf("copy: wrote %d rows, want %d", copied, n)
		}
		return nil
	})
}

func (db *DB) benchInsertClients(ctx context.Context, n int, next func() clients.Client) error {
	const batch = 500
	return db.bun.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		rows := make([]clientRow, 0, batch)
		for i := 0; i < n; i++ {
			r, err := toClientRow(next())
			if err != nil {
				return err
			}
			rows = append(rows, r)
			if len(rows) == batch || i == n-1 {
				if _, err := tx.NewInsert().Model(&rows).Exec(ctx); err != nil {
					return err
				}
				rows = rows[:0]
			}
		}
		return nil
	})
}

// BenchTenant is one tenant of the benchmark data and its share of the rows.
type BenchTenant struct {
	ID    string
	Share float64
}

// BenchTenants: most rows belong to one large tenant, the rest to three small ones.
var BenchTenants = []BenchTenant{
	{"bench-main", 0.94}, {"bench-b", 0.04}, {"bench-c", 0.015}, {"bench-d", 0.005},
}

// BenchGen produces clients in creation order: UUIDv7 ids whose timestamps follow
// created_at, names drawn with a skewed (Zipf) distribution from first/last name and
// company word lists, so some substrings are common and others rare.
type BenchGen struct {
	r                      *rand.Rand
	first, last, word, sfx *rand.Zipf
	now                    time.Time
	n                      uint64
}

// NewBenchGen returns a generator; the same seed gives the same clients, ids
// included (their random bits come from the seeded source too).
func NewBenchGen(seed int64) *BenchGen {
	r := rand.New(rand.NewSource(seed))
	return &BenchGen{
		r:     r,
		first: rand.NewZipf(r, 1.1, 8, uint64(len(benchFirstNames)-1)),
		last:  rand.NewZipf(r, 1.05, 10, uint64(len(benchLastNames)-1)),
		word:  rand.NewZipf(r, 1.1, 6, uint64(len(benchCompanyWords)-1)),
		sfx:   rand.NewZipf(r, 1.5, 2, uint64(len(benchCompanySuffixes)-1)),
		now:   time.Date(2023, 1, 1, 8, 0, 0, 0, time.UTC),
	}
}

func (g *BenchGen) pick(weights ...float64) int {
	x := g.r.Float64()
	for i, w := range weights {
		if x < w {
			return i
		}
		x -= w
	}
	return len(weights) - 1
}

func (g *BenchGen) digits(k int) string {
	var b strings.Builder
	for range k {
		b.WriteByte(byte('0' + g.r.Intn(10)))
	}
	return b.String()
}

func (g *BenchGen) date(fromYear, toYear int) string {
	d := time.Date(fromYear, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, g.r.Intn((toYear-fromYear)*365))
	return d.Format(time.DateOnly)
}

// uuidV7 builds a version 7 UUID for the millisecond of t.
func (g *BenchGen) uuidV7(t time.Time) string {
	var u uuid.UUID
	ms := uint64(t.UnixMilli())
	for i := 0; i < 6; i++ {
		u[i] = byte(ms >> (40 - 8*i))
	}
	for i := 6; i < 16; i++ {
		u[i] = byte(g.r.Intn(256))
	}
	u[6] = 0x70 | u[6]&0x0f
	u[8] = 0x80 | u[8]&0x3f
	return u.String()
}

// reference is unique per generator: a bijection of the sequence number onto
// 8 base-36 digits.
func benchReference(n uint64) string {
	const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	const space = 36 * 36 * 36 * 36 * 36 * 36 * 36 * 36
	x := (n * 2654435761) % space
	var b [9]byte
	b[0] = 'C'
	for i := 8; i >= 1; i-- {
		b[i] = alphabet[x%36]
		x /= 36
	}
	return string(b[:])
}

var benchCountries = []string{"KE", "KE", "KE", "UG", "TZ", "RW", "NG", "GB", "IN", "US"}

// Next returns the next client, created 40–150 s after the previous one (1M clients
// span about three years).
func (g *BenchGen) Next() clients.Client {
	g.n++
	g.now = g.now.Add(time.Duration(40_000+g.r.Intn(110_000)) * time.Millisecond)
	tenant := BenchTenants[len(BenchTenants)-1].ID
	x := g.r.Float64()
	for _, t := range BenchTenants {
		if x < t.Share {
			tenant = t.ID
			break
		}
		x -= t.Share
	}
	c := clients.Client{
		ID:        g.uuidV7(g.now),
		TenantID:  tenant,
		Reference: benchReference(g.n),
		Version:   1 + int64(g.pick(0.5, 0.3, 0.15, 0.05)),
		CreatedAt: g.now,
	}
	c.UpdatedAt = c.CreatedAt.Add(time.Duration(c.Version-1) * time.Duration(g.r.Intn(30*24)) * time.Hour)
	c.State = []clients.State{clients.Active, clients.Pending, clients.Suspended, clients.Archived}[g.pick(0.74, 0.1, 0.1, 0.06)]
	c.KYCStatus = []clients.KYCStatus{clients.KYCVerified, clients.KYCPending, clients.KYCRejected}[g.pick(0.78, 0.17, 0.05)]
	if c.State == clients.Pending {
		c.KYCStatus = clients.KYCPending
	}
	p := clients.Profile{OfficeID: fmt.Sprintf("office-%02d", 1+g.r.Intn(40))}
	if g.r.Intn(200) == 0 {
		p.StaffAssociateID = fmt.Sprintf("assoc-%04d", 1+g.r.Intn(500))
	}
	for range g.pick(0.2, 0.6, 0.2) {
		p.AssignedAssociateIDs = append(p.AssignedAssociateIDs, fmt.Sprintf("assoc-%04d", 1+g.r.Intn(500)))
	}
	if g.r.Float64() < 0.78 {
		c.Type = clients.Individual
		person := &clients.Person{
			FirstName:   benchFirstNames[g.first.Uint64()],
			LastName:    benchLastNames[g.last.Uint64()],
			DateOfBirth: g.date(1940, 2006),
			Gender:      []string{"female", "male", "other", "unspecified"}[g.pick(0.49, 0.49, 0.01, 0.01)],
			NationalID:  "ID" + g.digits(8),
			Nationality: benchCountries[g.r.Intn(len(benchCountries))],
		}
		if g.r.Intn(4) == 0 {
			person.MiddleName = benchFirstNames[g.first.Uint64()]
		}
		p.Individual = person
		c.DisplayName = person.FirstName + " " + person.LastName
		if person.MiddleName != "" {
			c.DisplayName = person.FirstName + " " + person.MiddleName + " " + person.LastName
		}
		p.Contact.Email = strings.ToLower(person.FirstName+"."+person.LastName) + g.digits(2) + "@example.com"
	} else {
		c.Type = clients.Corporate
		name := benchCompanyWords[g.word.Uint64()]
		if g.r.Intn(3) > 0 {
			name += " " + benchCompanyWords[g.word.Uint64()]
		}
		name += " " + benchCompanySuffixes[g.sfx.Uint64()]
		company := &clients.Company{
			LegalName:          name,
			RegistrationNumber: "PVT-" + g.digits(9),
			IncorporationDate:  g.date(1970, 2025),
			TaxID:              "P" + g.digits(9) + "X",
			Country:            benchCountries[g.r.Intn(len(benchCountries))],
			Contacts: []clients.Contact{{
				Name: benchFirstNames[g.first.Uint64()] + " " + benchLastNames[g.last.Uint64()],
				Role: "director", Phone: "+2547" + g.digits(8),
			}},
		}
		if g.r.Intn(2) == 0 {
			company.ExpectedMonthlyTurnover = &adapters.Money{Amount: int64(1+g.r.Intn(5000)) * 100_000, Currency: []string{"KES", "USD", "UGX"}[g.pick(0.8, 0.15, 0.05)]}
		}
		p.Corporate = company
		c.DisplayName = name
		p.Contact.Email = "info@" + strings.ToLower(strings.ReplaceAll(benchCompanyWords[g.word.Uint64()], " ", "")) + g.digits(3) + ".example.com"
	}
	p.Contact.Phone = "+2547" + g.digits(8)
	if g.r.Intn(5) < 3 {
		p.Contact.Address = &clients.Address{
			Line1: g.digits(3) + " " + benchCompanyWords[g.word.Uint64()] + " Road", City: []string{"Nairobi", "Mombasa", "Kisumu", "Nakuru", "Eldoret", "Kampala", "Dar es Salaam"}[g.pick(0.5, 0.15, 0.1, 0.08, 0.07, 0.05, 0.05)],
			PostalCode: g.digits(5), Country: "KE",
		}
	}
	c.Profile = p
	return c
}

// Ordered from most to least common (the Zipf draws favour the start).
var benchFirstNames = strings.Fields(`
John Mary Peter Grace James Faith Joseph Mercy David Esther Daniel Ann Samuel Jane
Paul Lucy Michael Elizabeth Stephen Margaret Brian Caroline Kevin Nancy Dennis Joyce
Charles Susan Francis Alice George Catherine Robert Sarah Patrick Rose Moses Agnes
Simon Janet Joseph Beatrice Anthony Gladys Martin Eunice Collins Purity Victor Sharon
Emmanuel Winnie Isaac Dorothy Eric Irene Kennedy Lydia Felix Ruth Benard Naomi Amos
Amina Hassan Fatuma Ali Halima Omar Zainab Abdi Mwanaisha Yusuf Khadija Ibrahim Asha
Wanjiru Kamau Akinyi Otieno Njeri Mwangi Atieno Kiprono Chebet Wafula Nafula Muthoni
Kibet Jepkosgei Odhiambo Adhiambo Kipchoge Wairimu Mutua Mumbua Nyambura Cherono
Priya Rahul Anjali Arjun Deepa Vikram Kavita Sanjay Meera Ravi Sunita Aditya Neha
Oluwaseun Chinedu Ngozi Emeka Funmilayo Tunde Adaeze Babajide Chiamaka Obinna
Sophie Thomas Emma Oliver Charlotte Harry Amelia William Isla Jack Olivia Noah Ava
Lars Ingrid Mateo Lucia Santiago Valentina Hiroshi Yuki Mei Wei Jun Anh Minh Tariq
Leila Yasmin Farid Nadia Karim Salma Rashid Layla Zubeir Mosi Jabari Zawadi Baraka
Imani Neema Tumaini Rehema Amani Upendo Kheri Shani Makena Nia Kioko Ndinda Wambui
Xiadani Quentin Zephyrine Ottoline Ximena Bartholomew Evangelina Thaddeus Seraphina
`)

var benchLastNames = strings.Fields(`
Otieno Mwangi Kamau Odhiambo Wanjiru Kiprotich Ochieng Njoroge Mutua Kariuki Onyango
Mohamed Ali Hassan Kimani Wambui Omondi Kiptoo Chebet Cheruiyot Korir Rotich Langat
Kipkemboi Wafula Barasa Wekesa Simiyu Juma Achieng Atieno Awuor Owino Okoth Ouma
Nyambura Njeri Muthoni Wairimu Gathoni Kinyua Macharia Githinji Maina Ndungu Kiarie
Karanja Mbugua Muriuki Gitau Mugo Kirui Kosgei Kibet Kemboi Tanui Sang Bett Kiprono
Ngugi Waweru Mwaura Nduta Kilonzo Musyoka Mutinda Muema Kioko Nzioka Mwende Mbithi
Omar Abdi Abdullahi Yusuf Ibrahim Ahmed Farah Warsame Osman Noor Haji Aden Salat
Patel Shah Mehta Sharma Singh Gupta Kumar Desai Joshi Reddy Nair Iyer Chopra Kapoor
Smith Jones Taylor Brown Williams Wilson Johnson Davies Robinson Wright Thompson
Evans Walker White Roberts Green Hall Wood Jackson Clarke Harris Lewis Martin Cooper
Okafor Adeyemi Okonkwo Eze Nwosu Balogun Adebayo Obi Chukwu Ogunleye Afolabi Nnamdi
Mensah Owusu Boateng Asante Appiah Acheampong Darko Ofori Amoah Kuffour Agyeman
Nakato Namubiru Ssempala Mugisha Tumusiime Byaruhanga Kato Okello Opio Odongo
Mushi Massawe Lyimo Mrema Kimaro Shirima Swai Temba Urassa Minja Mollel Laizer
Uwimana Mukamana Habimana Niyonzima Hakizimana Nshimiyimana Ndayisaba Bizimana
Garcia Rodriguez Martinez Hernandez Lopez Gonzalez Perez Sanchez Ramirez Torres
Muller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Koch
Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci Marino Greco Bruno
Tanaka Suzuki Takahashi Watanabe Ito Yamamoto Nakamura Kobayashi Kato Yoshida
Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo Lin He Gao
Nguyen Tran Le Pham Hoang Phan Vu Dang Bui Do Ho Ngo Duong Ly
Andersson Johansson Karlsson Nilsson Eriksson Larsson Olsson Persson Svensson
Kowalski Nowak Wisniewski Wojcik Kowalczyk Kaminski Lewandowski Zielinski
Ivanov Smirnov Kuznetsov Popov Vasiliev Petrov Sokolov Mikhailov Novikov Fedorov
Oyelaran Quartermaine Zbigniewska Vuorinen Xanthopoulos Fitzwilliam Okwuosa
Wetherspoon Yevtushenko Abernathy Blackwood Cavendish Delacroix Ellingsworth
Featherstonehaugh Gwynedd Hollingsworth Iwobi Jablonski Kirkpatrick Lindqvist
Montgomery Northcott Ormsby Pennington Quigley Rutherford Stanhope Thistlewood
Umberfield Vanterpool Whitcombe Yardley Zwolinski Ashdown Brightwater Coldstream
`)

var benchCompanyWords = strings.Fields(`
Kenya East Africa Savannah Highland Lake Victoria Rift Valley Coast Jambo Safari
Pioneer Summit Horizon Unity Prime Capital Heritage Green Golden Silver Blue Star
Crown Royal National United Global Premier Alpha Delta Apex Harvest Sunrise Baraka
Amani Umoja Tumaini Neema Zawadi Imara Bidii Faraja Jamii Mali Nyota Tembo Simba
Twiga Chui Kifaru Nyati Kilima Mlima Bahari Pwani Mto Ziwa Msitu Shamba Soko
Agro Tech Logistics Motors Pharma Medical Foods Dairy Tea Coffee Flowers Textiles
Steel Cement Energy Solar Water Transport Freight Builders Construction Realty
Properties Estates Ventures Investments Traders Suppliers Distributors Imports
Exports Consulting Advisory Media Digital Networks Systems Solutions Software
Printers Packaging Plastics Chemicals Minerals Mining Oil Gas Petroleum Fuel
Insurance Finance Credit Microfinance Leasing Security Cleaning Catering Hotels
Tours Travel Airways Marine Fisheries Poultry Livestock Grain Millers Bakers
Brewers Bottlers Beverages Cosmetics Fashion Furniture Hardware Electricals
Quixotic Zyphron Vexillum Obsidiana Kwarantine Jubilant Xylotech Yarrowfield
`)

var benchCompanySuffixes = strings.Fields(`
Limited Ltd Holdings Group Enterprises Company Sacco Cooperative Partners Associates
Trust Foundation Industries International Africa
`)
