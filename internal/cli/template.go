package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gatehouse/gatehouse/internal/deliver"
	"github.com/gatehouse/gatehouse/internal/spec"
)

// TemplatePreviewOptions are `gatehouse template preview`'s options.
type TemplatePreviewOptions struct {
	IO       *IO
	File     string // a spec whose delivery section overrides the templates
	Language string
	Part     string // all | subject | text | html | slack
	Claim    bool   // render the claim-link form instead of the password
	Welcome  bool   // render an Identity Center user's welcome (no password); implied by a spec with directory: identity-center
	Out      string // write here instead of standard output
}

// Parts template preview can render.
var previewParts = []string{"all", "subject", "text", "html", "slack"}

// NewCmdTemplate builds `gatehouse template` and its subcommands.
func NewCmdTemplate(streams *IO) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "template",
		Short: "Work with the messages that deliver credentials",
	}
	cmd.AddCommand(NewCmdTemplatePreview(streams, nil))
	return cmd
}

// NewCmdTemplatePreview builds `gatehouse template preview`.
func NewCmdTemplatePreview(streams *IO, runF func(context.Context, *TemplatePreviewOptions) error) *cobra.Command {
	opts := &TemplatePreviewOptions{IO: streams}
	cmd := &cobra.Command{
		Use:   "preview [-f SPEC] [--language en|ja] [--part subject|text|html|all] [--claim | --welcome] [--out FILE]",
		Short: "Render a delivery message with a made-up credential",
		Long: `Render the message a person receives — the built-in one, or the spec's
delivery.template and delivery.subject overrides — with a made-up credential,
to the terminal or a file. --claim renders the form that carries a one-time
claim link instead of the password; --welcome (or a spec with directory:
identity-center) the IAM Identity Center user's welcome, which has no
password: the AWS access portal's address.`,
		Example: `  gatehouse template preview --language ja
  gatehouse template preview -f team.yaml --part html --out preview.html
  gatehouse template preview --part slack --claim
  gatehouse template preview --welcome --language ja`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runTemplatePreview(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&opts.File, "file", "f", "", "take the template overrides from this spec `FILE`")
	f.StringVar(&opts.Language, "language", "", "language: en or ja (default: the spec's, else en)")
	f.StringVar(&opts.Part, "part", "all", "what to render: all (the mail), subject, text, html, or slack (the Slack message)")
	f.BoolVar(&opts.Claim, "claim", false, "render the claim-link form of the message")
	f.BoolVar(&opts.Welcome, "welcome", false, "render an IAM Identity Center user's welcome (no password: the access portal)")
	f.StringVar(&opts.Out, "out", "", "write to `FILE` (0644) instead of standard output")
	return cmd
}

func runTemplatePreview(_ context.Context, opts *TemplatePreviewOptions) error {
	if !slices.Contains(previewParts, opts.Part) {
		return usageErrorf("--part %q: use one of %s", opts.Part, strings.Join(previewParts, ", "))
	}
	d := spec.Delivery{}
	if opts.File != "" {
		in, err := readInput(opts.IO, opts.File, spec.Flags{}, nil)
		if err != nil {
			return err
		}
		d = in.Delivery
		opts.Welcome = opts.Welcome || in.Directory == spec.DirectoryIdentityCenter
	}
	if opts.Welcome && opts.Claim {
		return usageErrorf("--claim and a welcome: an Identity Center user has no password for a claim link to carry")
	}
	lang := cmp.Or(opts.Language, d.Language, spec.LanguageEnglish)
	if !slices.Contains(spec.Languages, lang) {
		return usageErrorf("--language %q: use one of %s", lang, strings.Join(spec.Languages, ", "))
	}
	c := deliver.SampleCredential(lang)
	switch {
	case opts.Claim:
		c = deliver.SampleClaimCredential(lang)
	case opts.Welcome:
		c = deliver.SampleWelcomeCredential(lang)
	}
	if opts.Part == "slack" {
		text, err := deliver.RenderSlack(lang, d.Template, d.Subject, c)
		if err != nil {
			return &UsageError{Err: err}
		}
		return writePreview(opts, text+"\n")
	}
	m, err := deliver.Render(lang, d.Template, d.Subject, c)
	if err != nil {
		return &UsageError{Err: err}
	}
	return writePreview(opts, previewText(opts.Part, m))
}

// previewText is the part of m asked for; all is a mail-like view.
func previewText(part string, m deliver.Message) string {
	switch part {
	case "subject":
		return m.Subject + "\n"
	case "text":
		return m.Text
	case "html":
		return m.HTML
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Subject: %s\n\n--- text ---\n%s", m.Subject, m.Text)
	if m.HTML != "" {
		fmt.Fprintf(&b, "\n--- html ---\n%s", m.HTML)
	}
	return b.String()
}

func writePreview(opts *TemplatePreviewOptions, text string) error {
	if opts.Out == "" {
		_, err := io.WriteString(opts.IO.Out, text)
		return err
	}
	f, err := os.OpenFile(opts.Out, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return usageErrorf("writing the preview: %w", err)
	}
	_, err = io.WriteString(f, text)
	if err = errors.Join(err, f.Close()); err != nil {
		return fmt.Errorf("writing the preview to %s: %w", opts.Out, err)
	}
	fmt.Fprintf(opts.IO.Err, "Wrote the preview to %s.\n", opts.Out)
	return nil
}
