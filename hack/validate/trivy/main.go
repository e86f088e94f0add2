// trivy-k8s-config: `trivy config --misconfig-scanners kubernetes` on one folder, built from trivy's own
// Kubernetes scanner and embedded checks instead of the whole trivy command.
//
// Why: the validators only ever run trivy's Kubernetes misconfiguration scan, offline, with the checks
// embedded in the module. The trivy command links every scanner, analyzer and registry client (about
// 3,100 packages); this links the Kubernetes scanner, the Rego engine and the checks (about 750), and is
// the largest single cut of a cold CI run's compile time.
//
// It sets up the scan the way `trivy config --skip-check-update` with a fresh cache folder does in the
// pinned release (pkg/commands/artifact.initMisconfScannerOption, pkg/misconf), and writes the parts of
// trivy's JSON report that hack/validate/trivy.js reads: Results[].Target and, for each failed check,
// ID, AVDID, Title, Message, Severity, Status and CauseMetadata.StartLine/EndLine.
//
// Usage: trivy-k8s-config [--config-data <dir>] --output <report.json> <folder> | --version
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/aquasecurity/trivy/pkg/iac/rego"
	"github.com/aquasecurity/trivy/pkg/iac/scan"
	k8sscanner "github.com/aquasecurity/trivy/pkg/iac/scanners/kubernetes"
	"github.com/aquasecurity/trivy/pkg/iac/scanners/options"
	"github.com/aquasecurity/trivy/pkg/mapfs"
	"github.com/aquasecurity/trivy/pkg/version/app"
	"gopkg.in/yaml.v3"
)

// The file names trivy's config analyzers consider at all (pkg/fanal/analyzer/config).
var configExts = map[string]bool{".json": true, ".yaml": true, ".yml": true, ".tfvars": true}

type causeMetadata struct {
	StartLine int `json:"StartLine,omitempty"`
	EndLine   int `json:"EndLine,omitempty"`
}

type misconfiguration struct {
	ID            string        `json:"ID"`
	AVDID         string        `json:"AVDID,omitempty"`
	Title         string        `json:"Title"`
	Message       string        `json:"Message"`
	Severity      string        `json:"Severity"`
	Status        string        `json:"Status"`
	CauseMetadata causeMetadata `json:"CauseMetadata"`
}

type result struct {
	Target            string             `json:"Target"`
	Class             string             `json:"Class"`
	Type              string             `json:"Type"`
	Misconfigurations []misconfiguration `json:"Misconfigurations,omitempty"`
}

type report struct {
	Tool         string   `json:"Tool"`
	TrivyVersion string   `json:"TrivyVersion"`
	ArtifactName string   `json:"ArtifactName"`
	Results      []result `json:"Results"`
}

func main() {
	output := flag.String("output", "", "write the JSON report to this file (required)")
	configData := flag.String("config-data", "", "folder of JSON/YAML data files for the checks (trivy's --config-data)")
	version := flag.Bool("version", false, "print the trivy version whose scanner and checks this links, and exit")
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: trivy-k8s-config [--config-data <dir>] --output <report.json> <folder>")
		flag.PrintDefaults()
	}
	flag.Parse()
	if *version {
		fmt.Println(app.Version())
		return
	}
	if *output == "" || flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(flag.Arg(0), *configData, *output); err != nil {
		fmt.Fprintln(os.Stderr, "trivy-k8s-config:", err)
		os.Exit(1)
	}
}

func run(root, configData, output string) error {
	info, err := os.Stat(root)
	if err != nil {
		return err
	}
	if !info.IsDir() {
		return fmt.Errorf("%s is not a folder", root)
	}
	fsys, err := kubernetesFiles(root)
	if err != nil {
		return err
	}
	regoScanner, err := newRegoScanner(configData)
	if err != nil {
		return err
	}
	results := scan.Results{}
	if fsys != nil {
		scanner := k8sscanner.NewScanner(rego.WithRegoScanner(regoScanner), options.WithScanRawConfig(false))
		results, err = scanner.ScanFS(context.Background(), fsys, ".")
		if err != nil {
			return fmt.Errorf("scan %s: %w", root, err)
		}
	}
	data, err := json.MarshalIndent(report{
		Tool:         "trivy-k8s-config",
		TrivyVersion: app.Version(),
		ArtifactName: root,
		Results:      toResults(results),
	}, "", "  ")
	if err != nil {
		return err
	}
	tmp := output + ".tmp"
	if err := os.WriteFile(tmp, append(data, '\n'), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, output)
}

// kubernetesFiles maps the folder's Kubernetes manifests by relative path, as trivy's analyzer and
// misconfiguration scanner filter them (config extension, then detection of the Kubernetes file type);
// nil when there is none.
func kubernetesFiles(root string) (*mapfs.FS, error) {
	fsys := mapfs.New()
	found := false
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !d.Type().IsRegular() || !configExts[filepath.Ext(path)] {
			return nil
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		ok, err := isKubernetes(path)
		if err != nil || !ok {
			return err
		}
		rel = filepath.ToSlash(rel)
		if dir := filepath.Dir(rel); dir != "." {
			if err := fsys.MkdirAll(dir, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
				return err
			}
		}
		found = true
		return fsys.WriteFile(rel, path)
	})
	if err != nil || !found {
		return nil, err
	}
	return fsys, nil
}

// isKubernetes: one of the file's documents is a mapping with apiVersion, kind and metadata, the test
// trivy's file-type detection applies (its detection package is left out: it links the parsers of every
// other file type). A document that does not parse ends the file's test, as in a Kubernetes apply.
func isKubernetes(path string) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	dec := yaml.NewDecoder(f)
	for {
		var doc map[string]any
		if err := dec.Decode(&doc); err != nil {
			return false, nil
		}
		_, hasAPIVersion := doc["apiVersion"]
		_, hasKind := doc["kind"]
		_, hasMetadata := doc["metadata"]
		if hasAPIVersion && hasKind && hasMetadata {
			return true, nil
		}
	}
}

// newRegoScanner loads the embedded checks and libraries, filtered by the stamped trivy version, with the
// data folder given as --config-data (the same options and order as pkg/misconf.initRegoOptions).
func newRegoScanner(configData string) (*rego.Scanner, error) {
	dataFS := mapfs.New()
	if err := dataFS.MkdirAll("system", 0o700); err != nil {
		return nil, err
	}
	// trivy always writes this file; its version is empty unless --k8s-version is given.
	if err := dataFS.WriteVirtualFile("system/k8s-version.json", []byte(`{"k8s": {"version": ""}}`), 0o600); err != nil {
		return nil, err
	}
	opts := []options.ScannerOption{
		rego.WithEmbeddedPolicies(true),
		rego.WithEmbeddedLibraries(true),
		rego.WithIncludeDeprecatedChecks(false),
		rego.WithTrivyVersion(app.Version()),
		rego.WithMaxAllowedErrors(rego.DefaultAllowedRegoErrors),
	}
	if configData != "" {
		if err := dataFS.CopyFilesUnder(configData); err != nil {
			return nil, fmt.Errorf("--config-data %s: %w", configData, err)
		}
	}
	opts = append(opts,
		rego.WithDataDirs("."),
		rego.WithDataFilesystem(dataFS),
		rego.WithCustomSchemas(map[string][]byte{}),
	)
	if configData != "" {
		opts = append(opts, rego.WithDataDirs(configData))
	}
	opts = append(opts, rego.WithPolicyNamespaces(rego.BuiltinNamespaces()...))
	s := rego.NewScanner(opts...)
	if err := s.LoadPolicies(nil); err != nil {
		return nil, fmt.Errorf("load checks: %w", err)
	}
	return s, nil
}

// toResults groups failed checks by file, as trivy's report does; passed checks are left out, as trivy
// leaves them out without --include-non-failures.
func toResults(results scan.Results) []result {
	byFile := map[string][]misconfiguration{}
	for i := range results {
		r := &results[i]
		if r.Status() != scan.StatusFailed {
			continue
		}
		flat := r.Flatten()
		msg := strings.TrimSpace(flat.Description)
		if msg == "" {
			msg = "No issues found"
		}
		file := filepath.ToSlash(flat.Location.Filename)
		byFile[file] = append(byFile[file], misconfiguration{
			ID:       r.Rule().ID,
			AVDID:    r.Rule().AVDID,
			Title:    r.Rule().Summary,
			Message:  msg,
			Severity: severity(string(flat.Severity)),
			Status:   "FAIL",
			CauseMetadata: causeMetadata{
				StartLine: flat.Location.StartLine,
				EndLine:   flat.Location.EndLine,
			},
		})
	}
	files := make([]string, 0, len(byFile))
	for f := range byFile {
		files = append(files, f)
	}
	sort.Strings(files)
	out := make([]result, 0, len(files))
	for _, f := range files {
		ms := byFile[f]
		sort.SliceStable(ms, func(i, j int) bool {
			if ms[i].ID != ms[j].ID {
				return ms[i].ID < ms[j].ID
			}
			if ms[i].CauseMetadata.StartLine != ms[j].CauseMetadata.StartLine {
				return ms[i].CauseMetadata.StartLine < ms[j].CauseMetadata.StartLine
			}
			return ms[i].Message < ms[j].Message
		})
		out = append(out, result{Target: f, Class: "config", Type: "kubernetes", Misconfigurations: ms})
	}
	return out
}

// severity maps the check's severity the way trivy's report does (unknown names become CRITICAL, the
// default for failures in pkg/scan/local).
func severity(s string) string {
	switch strings.ToUpper(s) {
	case "UNKNOWN", "LOW", "MEDIUM", "HIGH", "CRITICAL":
		return strings.ToUpper(s)
	}
	return "CRITICAL"
}
