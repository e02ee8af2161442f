package deliver

import "time"

// SampleCredential is a made-up credential to render templates with
// (CheckTemplates, gatehouse template preview); its password is no secret.
func SampleCredential(lang string) Credential { return sampleCredential(lang) }

// SampleClaimCredential is SampleCredential as the claim channel hands it to
// the channel carrying the link: a made-up link instead of the password.
func SampleClaimCredential(lang string) Credential {
	c := sampleCredential(lang)
	c.Password = ""
	c.ClaimURL = "https://claims.example.com/c/3q2-7wEAAAB1Wb8fZ1Xk#sample-key-not-a-real-one"
	c.ClaimExpires = time.Date(2026, 11, 24, 9, 30, 0, 0, time.UTC)
	return c
}

// SampleWelcomeCredential is a made-up Identity Center user's welcome: no
// password, the access portal's address.
func SampleWelcomeCredential(lang string) Credential {
	return Credential{
		Account: "d-1234567890", UserName: "alice@example.com", Email: "alice@example.com", DisplayName: "Alice Example",
		SignInURL: "https://d-1234567890.awsapps.com/start", Language: lang, Welcome: true,
	}
}

// SampleCredentials are made-up credentials of one person in three
// accounts, to render a message for several with.
func SampleCredentials(lang string) []Credential {
	first := sampleCredential(lang)
	second, third := first, first
	second.Account, second.AccountAlias, second.Password = "444455556666", "example-dev", "sample-password-2"
	second.SignInURL = "https://example-dev.signin.aws.amazon.com/console"
	third.Account, third.AccountAlias, third.Password = "777788889999", "", "sample-password-3"
	third.SignInURL = "https://777788889999.signin.aws.amazon.com/console"
	return []Credential{first, second, third}
}

// SampleClaimCredentials are SampleCredentials as the claim channel hands
// them to the channel carrying their one link.
func SampleClaimCredentials(lang string) []Credential {
	link := SampleClaimCredential(lang)
	cs := SampleCredentials(lang)
	for i := range cs {
		cs[i].Password, cs[i].ClaimURL, cs[i].ClaimExpires = "", link.ClaimURL, link.ClaimExpires
	}
	return cs
}

// samples are the credentials deps' channel checks its templates with, in
// the form it sends (the claim-link form for the channel that carries claim
// links): the first alone, then all three in one message.
func (d Deps) samples(lang string) []Credential {
	if d.Welcome {
		return []Credential{SampleWelcomeCredential(lang)}
	}
	if d.carriesClaimLinks {
		return SampleClaimCredentials(lang)
	}
	return SampleCredentials(lang)
}

// sampleCredential is what CheckTemplates renders with.
func sampleCredential(lang string) Credential {
	return Credential{
		Account: "111122223333", AccountAlias: "example", UserName: "alice@example.com", Email: "alice@example.com",
		DisplayName: "Alice Example", Password: "sample-password", SignInURL: "https://example.signin.aws.amazon.com/console",
		ResetRequired: true, Language: lang,
	}
}
