package claim

// texts are the page's words in one language. The page holds every message
// claim.js may need, hidden, so the script carries no words of its own.
type texts struct {
	Title, Brand, LanguageLabel, Heading                string
	Name, UserName, Account, SignInURL, Expires         string
	ResetNote, OnceNote, Reveal, Password, Copy         string
	Copied, CopyManual, AfterReveal, Footer             string
	OnceNoteAll, RevealAll, AfterRevealAll              string // a claim for several accounts
	ClaimedTitle, ClaimedText, ClaimedWarn, ClaimedWhen string
	ExpiredTitle, ExpiredText, ExpiredWhen              string
	WithdrawnTitle, WithdrawnText, WithdrawnWhen        string
	NotFoundTitle, NotFoundText                         string
	TooManyTitle, TooManyText, TooManyWhen              string
	NoKeyTitle, NoKeyText, BadKeyTitle, BadKeyText      string
	InsecureTitle, InsecureText, ErrorTitle, ErrorText  string
}

var textsByLanguage = map[string]*texts{
	"en": {
		Title:         "Your AWS sign-in details",
		Brand:         "gatehouse",
		LanguageLabel: "Language",
		Heading:       "Your AWS sign-in details",
		Name:          "For",
		UserName:      "User name",
		Account:       "AWS account",
		SignInURL:     "Sign-in URL",
		Expires:       "Link expires",
		ResetNote:     "You must choose a new password when you first sign in.",
		OnceNote: "The password can be shown only once: this link stops working when you reveal it. " +
			"Have the sign-in page ready, and copy the password before you leave this page.",
		Reveal:      "Reveal password",
		Password:    "Password",
		Copy:        "Copy",
		Copied:      "Copied to the clipboard.",
		CopyManual:  "The password is selected: press Ctrl+C (⌘C on a Mac) to copy it.",
		AfterReveal: "This link no longer works. Sign in now; if you lose this password, ask your AWS administrators for a new one.",
		Footer:      "Sent by gatehouse for your AWS administrators. The password is decrypted in your browser; the server never sees it.",

		OnceNoteAll: "The passwords can be shown only once: this link stops working when you reveal them. " +
			"Have the sign-in pages ready, and copy every password before you leave this page.",
		RevealAll:      "Reveal passwords",
		AfterRevealAll: "This link no longer works. Sign in to each account now; if you lose a password, ask your AWS administrators for a new one.",

		ClaimedTitle: "Already claimed",
		ClaimedText:  "The password at this link has already been revealed. A link works only once.",
		ClaimedWarn:  "If it was not you who revealed it, tell your AWS administrators at once.",
		ClaimedWhen:  "Claimed:",
		ExpiredTitle: "Link expired",
		ExpiredText:  "This link has expired and the password it held has been deleted. Ask your AWS administrators for a new one.",
		ExpiredWhen:  "Expired:",

		WithdrawnTitle: "Link withdrawn",
		WithdrawnText:  "Your AWS administrators withdrew this link; a newer message may have replaced it. Ask them if you still need a password.",
		WithdrawnWhen:  "Withdrawn:",
		NotFoundTitle:  "Link not found",
		NotFoundText: "No password is waiting at this address. Check that you opened the whole link from your message. " +
			"If you did, ask your AWS administrators for a new one.",
		TooManyTitle: "Too many attempts",
		TooManyText:  "There were too many failed attempts from your network, so this page is locked for a while.",
		TooManyWhen:  "Try again after:",
		NoKeyTitle:   "Incomplete link",
		NoKeyText: "The part of the link after the “#” is missing, and the password cannot be decrypted without it. " +
			"Open the whole link from your message; if your mail program breaks long links, copy the link in one piece into the address bar.",
		BadKeyTitle: "Damaged link",
		BadKeyText: "This link's key does not fit the password stored for it, so nothing was revealed and the link still works. " +
			"Open the link exactly as it is in your message.",
		InsecureTitle: "HTTPS required",
		InsecureText:  "Your browser decrypts the password only on a page opened over HTTPS. Ask your AWS administrators to serve this page over HTTPS.",
		ErrorTitle:    "Not revealed",
		ErrorText:     "The password could not be revealed just now. Try again in a moment.",
	},
	"ja": {
		Title:         "AWS サインイン情報",
		Brand:         "gatehouse",
		LanguageLabel: "言語",
		Heading:       "AWS サインイン情報",
		Name:          "宛先",
		UserName:      "ユーザー名",
		Account:       "AWS アカウント",
		SignInURL:     "サインイン URL",
		Expires:       "リンクの有効期限",
		ResetNote:     "初回サインイン時に、新しいパスワードの設定が必要です。",
		OnceNote:      "パスワードは一度だけ表示できます。表示するとこのリンクは使えなくなります。サインインページを開く準備をしてから表示し、このページを離れる前にコピーしてください。",
		Reveal:        "パスワードを表示",
		Password:      "パスワード",
		Copy:          "コピー",
		Copied:        "クリップボードにコピーしました。",
		CopyManual:    "パスワードを選択しました。Ctrl+C（Mac では ⌘C）でコピーしてください。",
		AfterReveal:   "このリンクはもう使えません。今すぐサインインしてください。パスワードを失った場合は、AWS 管理者に新しいパスワードを依頼してください。",
		Footer:        "このページは、AWS 管理者に代わって gatehouse が提供しています。パスワードはお使いのブラウザー内で復号され、サーバーには送られません。",

		OnceNoteAll:    "パスワードは一度だけ表示できます。表示するとこのリンクは使えなくなります。サインインページを開く準備をしてから表示し、このページを離れる前にすべてのパスワードをコピーしてください。",
		RevealAll:      "すべてのパスワードを表示",
		AfterRevealAll: "このリンクはもう使えません。今すぐ各アカウントにサインインしてください。パスワードを失った場合は、AWS 管理者に新しいパスワードを依頼してください。",

		ClaimedTitle: "受け取り済み",
		ClaimedText:  "このリンクのパスワードはすでに表示されています。リンクは一度しか使えません。",
		ClaimedWarn:  "表示したのがあなたでない場合は、すぐに AWS 管理者に連絡してください。",
		ClaimedWhen:  "受け取り日時：",
		ExpiredTitle: "有効期限切れ",
		ExpiredText:  "このリンクは有効期限が切れ、パスワードは削除されました。AWS 管理者に新しいパスワードを依頼してください。",
		ExpiredWhen:  "有効期限：",

		WithdrawnTitle: "取り消されたリンク",
		WithdrawnText:  "このリンクは AWS 管理者によって取り消されました。新しいメッセージが届いている可能性があります。パスワードが必要な場合は管理者に問い合わせてください。",
		WithdrawnWhen:  "取り消し日時：",
		NotFoundTitle:  "リンクが見つかりません",
		NotFoundText:   "このアドレスで受け取れるパスワードはありません。メッセージ内のリンクを省略せずに開いたか確認してください。それでも表示されない場合は、AWS 管理者に新しいパスワードを依頼してください。",
		TooManyTitle:   "試行回数の上限",
		TooManyText:    "お使いのネットワークからの失敗した試行が多すぎるため、このページはしばらく利用できません。",
		TooManyWhen:    "再試行できる時刻：",
		NoKeyTitle:     "不完全なリンク",
		NoKeyText:      "リンクの「#」以降の部分がありません。この部分がないとパスワードを復号できません。メッセージ内のリンク全体を開いてください。長いリンクが途中で切れる場合は、リンク全体をコピーしてアドレスバーに貼り付けてください。",
		BadKeyTitle:    "破損したリンク",
		BadKeyText:     "このリンクの鍵が保存されているパスワードと一致しないため、何も表示されていません（リンクは引き続き有効です）。メッセージ内のリンクをそのまま開いてください。",
		InsecureTitle:  "HTTPS が必要です",
		InsecureText:   "パスワードは HTTPS で開いたページでのみ復号できます。このページを HTTPS で提供するよう AWS 管理者に依頼してください。",
		ErrorTitle:     "表示できませんでした",
		ErrorText:      "現在パスワードを表示できません。しばらくしてからもう一度お試しください。",
	},
}
