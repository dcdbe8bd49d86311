package memory_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/adapters"
	"github.com/clientele-go/clientele/adapters/memory"
)

// A transfer between two savings accounts on the in-memory core banking fake, with
// its idempotency key replayed and an injected outage.
func ExampleCoreBanking() {
	ctx := context.Background()
	faults := memory.NewFaults()
	bank := memory.NewCoreBanking(memory.WithFaults(faults))

	_, _ = bank.CreateClient(ctx, adapters.CreateClientRequest{TenantID: "acme", ClientID: "c1",
		Profile: adapters.Profile{Type: adapters.Individual, FirstName: "Amina", LastName: "Okello"}, IdempotencyKey: "create-c1"})
	open := func(key string, amount int64) adapters.Account {
		a, _ := bank.OpenAccount(ctx, adapters.OpenAccountRequest{TenantID: "acme", ClientID: "c1", Type: adapters.Savings,
			OpeningBalance: adapters.Money{Amount: amount, Currency: "KES"}, IdempotencyKey: key})
		return a
	}
	agent, customer := open("open-1", 10_000), open("open-2", 0)

	req := adapters.TransferRequest{TenantID: "acme", FromAccountID: agent.ID, ToAccountID: customer.ID,
		Amount: adapters.Money{Amount: 2_500, Currency: "KES"}, IdempotencyKey: "cash-in-42"}
	first, _ := bank.Transfer(ctx, req)
	again, _ := bank.Transfer(ctx, req) // a retry: same key, same request
	fmt.Println("same transfer:", first.ID == again.ID)

	a, _ := bank.GetAccount(ctx, "acme", agent.ID)
	c, _ := bank.GetAccount(ctx, "acme", customer.ID)
	fmt.Println("agent:", a.Balance, "customer:", c.Balance)

	req.Amount.Amount = 100_000
	req.IdempotencyKey = "too-much"
	_, err := bank.Transfer(ctx, req)
	fmt.Println("overdraft refused:", errors.Is(err, clientele.ErrPrecondition))

	faults.FailOperation("Transfer", clientele.ErrUnavailable)
	_, err = bank.Transfer(ctx, req)
	fmt.Println("outage:", errors.Is(err, clientele.ErrUnavailable))
	// Output:
	// same transfer: true
	// agent: 7500 KES customer: 2500 KES
	// overdraft refused: true
	// outage: true
}

// Tests read the OTP a service sent from the messaging fake.
func ExampleMessaging_Last() {
	ctx := context.Background()
	msgs := memory.NewMessaging()
	_, _ = msgs.Send(ctx, adapters.Message{TenantID: "acme", Kind: adapters.KindOTP, Channel: adapters.SMS,
		Recipient: "+256700000001", Params: map[string]string{adapters.ParamCode: "482913"}, IdempotencyKey: "otp-1"})
	m, ok := msgs.Last("+256700000001")
	fmt.Println(ok, m.Kind, m.Params[adapters.ParamCode])
	// Output: true otp 482913
}
